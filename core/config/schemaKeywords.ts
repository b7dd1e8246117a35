/**
 * The Ajv set-up every host-file validator is compiled with, at start or at build time
 * (precompiledValidators.ts). Two keywords record where they matched, into the context object a
 * validator is called with (`validate.call(run, data)`): `hearthSecret` the strings to wrap in a
 * {@link Secret}, `hearthPort` the ports to offset and list. They generate code rather than call a
 * function, so a validator compiled at build time carries them. A third, `hearthNames`, checks
 * nothing: the messages read it.
 */
import { _, Ajv, Name, type CodeOptions, type KeywordCxt, type Options } from 'ajv';

/** Where the keywords matched during one validation: instance paths (JSON pointers). */
export interface KeywordRun {
  readonly secrets: string[];
  readonly ports: { path: string; protocol: 'tcp' | 'udp' }[];
}

/** Ajv's options for host-file schemas: every error, defaults filled in, error data kept for messages. */
const VALIDATOR_OPTIONS = {
  allErrors: true,
  useDefaults: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
  passContext: true,
} as const satisfies Options;

const RUN = new Name('this');
const INSTANCE_PATH = new Name('instancePath');

/** An Ajv instance with {@link VALIDATOR_OPTIONS} and the two keywords. */
export function createValidatorAjv(code: CodeOptions): Ajv {
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, code });
  ajv.addKeyword({
    keyword: 'hearthSecret',
    schemaType: 'boolean',
    code: function recordSecret(cxt: KeywordCxt) {
      const { gen, data, it } = cxt;
      gen.if(_`typeof ${data} == "string"`, () => gen.code(_`${RUN}.secrets.push(${INSTANCE_PATH} + ${it.errorPath})`));
    },
  });
  // Only read by the messages (schemaMessages.ts): what a valid key of a NamedMap looks like.
  ajv.addKeyword({ keyword: 'hearthNames', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'hearthPort',
    schemaType: 'boolean',
    code: function recordPort(cxt: KeywordCxt) {
      const { gen, data, it } = cxt;
      // A port is TCP unless the map holding it says `protocol: udp` (e.g. a syslog listener).
      const protocol = _`${it.parentData} && ${it.parentData}.protocol === "udp" ? "udp" : "tcp"`;
      gen.if(_`Number.isInteger(${data}) && ${data} >= 0 && ${data} <= 65535`, () =>
        gen.code(_`${RUN}.ports.push({ path: ${INSTANCE_PATH} + ${it.errorPath}, protocol: ${protocol} })`),
      );
    },
  });
  return ajv;
}
