// `:name:` emote codes, pictographic emoji with their modifiers, joiners and variation selectors, flags.
const EMOTE_ONLY = /^(?:\s|:[A-Za-z0-9_+-]{1,32}:|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3)+$/u;

/** True when the content is made only of emotes (`:name:` codes or emoji) and spaces. */
export function isEmoteOnly(content: string): boolean {
  return EMOTE_ONLY.test(content);
}
