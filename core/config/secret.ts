/**
 * A secret from the host file (a token, a password, an access key). It prints as `<secret>`
 * everywhere — string conversion, JSON, util.inspect, logs — and only {@link Secret.reveal}
 * gives the value, so it cannot leak by accident into logs or `hearth check` output.
 */
import { inspect } from 'node:util';

/** How a secret prints: never itself. */
export const REDACTED = '<secret>';

/** A string value that never prints itself. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret's value. Call it only where the value is used (a header, a client option). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** The value of a secret, or undefined when it is absent. */
export function revealOptional(secret: Secret | undefined): string | undefined {
  return secret?.reveal();
}
