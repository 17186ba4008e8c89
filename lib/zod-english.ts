/**
 * zod's English issue messages ("Too big: expected string to have <=100 characters",
 * 'Unrecognized key: "isAdmin"'), for code on zod/mini. Classic zod registers English when its first
 * schema is built; zod/mini and zod core register no locale, so without this every issue of a
 * bundle free of classic zod says only "Invalid input" (and a 400 for an unknown key no longer
 * names the key). Imported for its effect by the modules that report zod issues (request
 * validation, config). Only the English locale: `z.locales` would bundle all of them.
 */
import { config } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

// An explicit localeError set elsewhere (none today) wins: this only fills the default.
if (!config().localeError) config(en());
