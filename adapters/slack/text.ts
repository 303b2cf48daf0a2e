// Slack's message markup to the plain text the pipeline reads: the bot's own mention is dropped, other
// mentions, channels and links become their labels, and the three escaped characters are restored.
export function plainText(slackText: string, botUserId?: string): string {
  return slackText
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) =>
      id === botUserId ? " " : label ? `@${label}` : " ",
    )
    .replace(/<#[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, name?: string) => (name ? `#${name}` : " "))
    .replace(/<![^>]*>/g, " ")
    .replace(/<([^>|]+)\|([^>]+)>/g, "$2")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
