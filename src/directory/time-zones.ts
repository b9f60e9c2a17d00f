/**
 * IANA time zone names (RFC 7643 §4.1.1 `timezone`), checked against the zones this Node.js build
 * knows. `Intl.supportedValuesOf` returns canonical names only, so aliases such as `US/Eastern` or
 * `Etc/UTC` are confirmed through `Intl.DateTimeFormat`, which accepts every IANA name and rejects
 * anything else; those answers are remembered (a bounded number of them).
 */
export class TimeZones {
  private readonly canonical = new Set(Intl.supportedValuesOf('timeZone').map((zone) => zone.toLowerCase()));
  private readonly checked = new Map<string, boolean>();

  isValid(name: string): boolean {
    const key = name.toLowerCase();
    if (this.canonical.has(key)) return true;
    let valid = this.checked.get(key);
    if (valid === undefined) {
      // Only names shaped like IANA ones are worth asking about (and remembering).
      if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: name });
        valid = true;
      } catch {
        valid = false;
      }
      if (this.checked.size < 10_000) this.checked.set(key, valid);
    }
    return valid;
  }
}
