// Loaded with `node --import` before an unmodified snippet: @fal-ai/client always calls fal's real hosts, so every
// request to them goes to the fake fal instead (FAKE_FAL_BASE; its CA comes from NODE_EXTRA_CA_CERTS).
const target = new URL(process.env.FAKE_FAL_BASE);
const original = globalThis.fetch;
const FAL_HOSTS = /(^|\.)fal\.(run|ai|media)$/;

globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (FAL_HOSTS.test(url.hostname)) {
    url.protocol = target.protocol;
    url.host = target.host;
  }
  return original(input instanceof Request ? new Request(url, input) : url, init);
};
