// Stands in for the `whatwg-url` package in Lambda bundles (serverless.yml custom.esbuild.alias).
// The MongoDB driver parses connection strings with mongodb-connection-string-url, which takes URL
// and URLSearchParams from whatwg-url: a pure-JS copy of the WHATWG URL standard plus tr46's
// Unicode tables (~360 KB, ~10 ms of every cold start). Node's own URL implements the same
// standard, so the bundle uses it instead. tests/unit/whatwg-url-native.test.ts checks that
// connection strings parse identically both ways.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
