/**
 * The numeric entity id, on its own: the WebSocket frames need only this, and importing it from
 * schema.ts would load every request schema into each WebSocket function at cold start.
 */
import * as z from 'zod/mini';

/** Largest numeric id we hand out; counters stay far below it, and it keeps ids exact in JSON. */
export const MAX_ID = 2_147_483_647;

/** A numeric entity id in a JSON body. */
export const idSchema = z.number().check(z.int(), z.positive(), z.lte(MAX_ID));
