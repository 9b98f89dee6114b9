// The connection limits are engine options: checked, with an error that names the field.
import { describe, expect, it } from 'vitest';
import { startEmbeddedEngine } from '../../src/index.js';

describe('connection limit options', () => {
  it('a bad message deadline or per-address limit names its field', async () => {
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], limits: { messageTimeoutMs: -1 } }),
    ).rejects.toThrow(/^engine options: limits\.messageTimeoutMs: /);
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], limits: { maxPendingConnectionsPerAddress: 0 } }),
    ).rejects.toThrow(/^engine options: limits\.maxPendingConnectionsPerAddress: /);
    await expect(
      startEmbeddedEngine({ listen: ['127.0.0.1:0'], limits: { messageTimeoutMs: 1.5 } }),
    ).rejects.toThrow(/^engine options: limits\.messageTimeoutMs: /);
  });

  it('accepts them, and 0 for no message deadline', async () => {
    const engine = await startEmbeddedEngine({
      listen: ['tcp:127.0.0.1:0'],
      limits: { messageTimeoutMs: 0, maxPendingConnectionsPerAddress: 1 },
    });
    expect(engine.listeningPoints.map((p) => p.protocol)).toEqual(['tcp']);
    await engine.close();
  });
});
