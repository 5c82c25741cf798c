/**
 * What goes into issue bodies and comments comes partly from untrusted text (commit messages,
 * pod events, scanner output). Make it safe: no @mention pings, no HTML comment that could pose
 * as our hidden marker, and within GitHub's size limits.
 */

/** GitHub rejects issue and comment bodies over 65,536 characters. */
export const MAX_BODY = 65_536;
/** Commit status and deployment descriptions are capped at 140 characters. */
export const MAX_DESCRIPTION = 140;
export const MAX_TITLE = 256;

const MARKER_PREFIX = '<!-- tailspin-deployer:marker=';

/** The hidden line that identifies an issue. Characters that could end the comment are replaced. */
export function markerComment(marker: string): string {
  const safe = marker.replace(/[^A-Za-z0-9:._@/+=-]/g, '_').replace(/-{2,}/g, '-');
  return `${MARKER_PREFIX}${safe} -->`;
}

/** True when the body carries this marker as its own hidden line (never inside sanitised text). */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  return (body ?? '').split('\n').some((line) => line.trim() === markerComment(marker));
}

/**
 * `@user` / `@org/team` → `@\u200buser`: shown the same, notifies no one. Email addresses
 * (a@b.c) are left alone because a word character precedes the @.
 */
export function defuseMentions(text: string): string {
  return text.replace(/(^|[^\w`])@([A-Za-z0-9][\w-]*)/g, '$1@\u200b$2');
}

/** `<!--` → `&lt;!--`: any HTML comment in untrusted text is shown, never hidden, never a marker. */
export function neutraliseComments(text: string): string {
  return text.replace(/<!--/g, '&lt;!--');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A body: our marker on the first line (so truncation never cuts it), then the sanitised text. */
export function issueBody(marker: string, text: string): string {
  const head = `${markerComment(marker)}\n`;
  return head + sanitise(text, MAX_BODY - head.length);
}

/** A comment on the open issue: sanitised and capped like a body, no marker needed. */
export function commentBody(text: string): string {
  return sanitise(text, MAX_BODY);
}

function sanitise(text: string, max: number): string {
  const clean = neutraliseComments(defuseMentions(text));
  if (clean.length <= max) return clean;
  const note = (cut: number) => `\n\n… (truncated by tailspin-deployer: ${cut} characters omitted)`;
  const room = max - note(clean.length).length;
  return clean.slice(0, room) + note(clean.length - room);
}

export function cleanTitle(title: string): string {
  return truncate(defuseMentions(title.replace(/\s+/g, ' ').trim()), MAX_TITLE);
}
