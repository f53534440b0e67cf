/**
 * Argument spelling. Node's parseArgs reads `--alpha -5` as a missing value ("ambiguous") but `--alpha=-5` as
 * -5; both mean the same to a user, so a negative number after an option is attached to it first.
 */

/** A negative decimal number, as a flag value: -5, -0.5, -.5, -1e-3, -Infinity (refused later as not finite). */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity$)/;

/** `argv` with every `--name -5` written as `--name=-5`; other arguments unchanged. */
export function attachNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (/^--[^=]+$/.test(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
