import { Dialog, type DialogInit } from './dialog.js';
import type { UserAgent } from './user-agent.js';

/** A class of dialog a user agent makes: rxsip's own, or one that extends it. */
export type DialogClass = new (init: DialogInit) => Dialog;

const classes = new WeakMap<UserAgent, DialogClass>();

/**
 * @internal Makes every dialog of `ua` an instance of `cls`. rxsip/drachtio uses it so that the
 * dialogs its Srf hands out are drachtio-srf Dialogs (with `on`, `destroy`, `modify`) while
 * staying rxsip Dialogs underneath: one implementation, two faces.
 */
export function useDialogClass(ua: UserAgent, cls: DialogClass): void {
  classes.set(ua, cls);
}

/** @internal A new dialog of the class its user agent makes. */
export function createDialog(init: DialogInit): Dialog {
  const cls = classes.get(init.ua) ?? Dialog;
  return new cls(init);
}
