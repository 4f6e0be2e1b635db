/** What a rejected promise or thrown value says, for a message to the user. */
export function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
