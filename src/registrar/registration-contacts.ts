import { quote } from '../sip/grammar.js';
import type { Location } from './binding.js';

/**
 * The Contact values of a registrar's 200 (RFC 3261 §10.3 step 8): every binding with its
 * remaining `expires`, its `q`, and RFC 5626's `+sip.instance` and `reg-id`.
 *
 * @param locations - the AOR's bindings
 * @returns one Contact value each
 */
export function contactsOf(locations: readonly Location[]): string[] {
  return locations.map(({ binding, expires }) => {
    let value = `<${binding.contact}>;expires=${expires}`;
    if (binding.q !== undefined) value += `;q=${binding.q}`;
    if (binding.instance !== undefined) value += `;+sip.instance=${quote(binding.instance)}`;
    if (binding.regId !== undefined) value += `;reg-id=${binding.regId}`;
    return value;
  });
}
