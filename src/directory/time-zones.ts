/**
 * IANA time zone names (RFC 7643 §4.1.1 `timezone`), checked against the zones this Node.js build
 * knows. The set is built once: `Intl.supportedValuesOf` returns canonical names only, so aliases
 * such as `US/Eastern` or `Etc/UTC` are confirmed through `Intl.DateTimeFormat`, which accepts
 * every IANA name and rejects anything else.
 */
const canonicalZones = new Set(Intl.supportedValuesOf('timeZone').map((zone) => zone.toLowerCase()));
const checked = new Map<string, boolean>();

export function isValidTimeZone(name: string): boolean {
  const key = name.toLowerCase();
  if (canonicalZones.has(key)) return true;
  let valid = checked.get(key);
  if (valid === undefined) {
    // Only names shaped like IANA ones are worth asking about (and caching).
    if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      valid = true;
    } catch {
      valid = false;
    }
    if (checked.size < 10_000) checked.set(key, valid);
  }
  return valid;
}
