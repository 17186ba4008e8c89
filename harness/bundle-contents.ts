/**
 * What a Lambda bundle must never contain, found by markers in its code. Each of these once made
 * it into bundles unnoticed (tests pass either way) and costs every cold start: classic zod builds
 * every schema with dozens of methods (the bundles use zod/mini and zod core, docs/architecture.md), and using
 * zod/mini's `z.core` as a value keeps all of zod core, with the messages of every language
 * (a 18 KB bundle becomes 660 KB). Biome refuses classic zod imports; it cannot see the second.
 */
export const FORBIDDEN_IN_BUNDLES = [
  // zod/v4/classic's string schema; zod/mini's is "ZodMiniString", core's "$ZodString".
  { what: 'classic zod', marker: '"ZodString"' },
  // A word of zod's German messages: present only when the locales beyond English are bundled.
  { what: "zod's messages in every language (z.core used as a value?)", marker: 'Eingabe' },
] as const;

/** What of FORBIDDEN_IN_BUNDLES `code` contains, by name. */
export function forbiddenIn(code: string): string[] {
  return FORBIDDEN_IN_BUNDLES.filter(({ marker }) => code.includes(marker)).map(({ what }) => what);
}
