// serverless.yml reads the HTTP API's CORS origins from here: CORS_ALLOWED_ORIGINS, comma
// separated (the web client's origins). Unset: the Vite dev server's origin, for local work.
// A wildcard is refused: the session cookie needs credentials, and browsers refuse "*" with them.
const DEFAULT_ORIGINS = ['http://localhost:5173'];

module.exports.origins = () => {
  const raw = process.env.CORS_ALLOWED_ORIGINS ?? '';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*' || !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw new Error(
        `CORS_ALLOWED_ORIGINS: "${origin}" is not an origin like https://app.example.com`,
      );
    }
  }
  return origins.length > 0 ? origins : DEFAULT_ORIGINS;
};
