// Times as the terminal shows them: en-IN, 24-hour, in the browser's own time zone. The API
// sends ISO 8601 strings.

const TIME_OF_DAY = new Intl.DateTimeFormat('en-IN', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

const DATE_TIME = new Intl.DateTimeFormat('en-IN', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  hour12: false,
});

/** "14:03:07": for prints and orders of the trading day. */
export function timeOfDay(iso: string): string {
  return TIME_OF_DAY.format(new Date(iso));
}

/** "22 Nov 2026, 14:03:07": where the day matters (the ledger, an order's full time). */
export function dateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}
