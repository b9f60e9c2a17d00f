/** Text quoted back to a client or the log, cut at `max` characters: a client's input may be long. */
export function shortened(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
