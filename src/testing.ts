/**
 * rxsip/testing: call flows tested in virtual time, on a virtual network, against scripted SIP
 * peers, with marble diagrams and the SIP ladder of every failure.
 * @packageDocumentation
 */

export { expectLadder, ladderDivergence, ladderOf, type PartyNames } from './testing/ladder.js';
export { MemoryEngine, type MemoryEngineOptions } from './testing/memory-engine.js';
export { type CalleeScript, ScriptedCallee } from './testing/scripted-callee.js';
export { type CallScript, offerFrom, type PeerCall, ScriptedCaller } from './testing/scripted-caller.js';
export { type RegisterScript, ScriptedRegisterer } from './testing/scripted-registerer.js';
export {
  type MarbleHelpers,
  type SipTestKit,
  type SipTestOptions,
  sipTest,
  sipTestAsync,
} from './testing/sip-test.js';
export { type NetworkConditions, VirtualNetwork, type WirePacket } from './testing/virtual-network.js';
