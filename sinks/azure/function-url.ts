import type { PathSegment } from '../../broker/config/yaml-document.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';

/**
 * Reads the function's invoke URL, reporting at `path` when it is not an http(s) URL or when
 * it carries a credential: Azure accepts the function key as a `code` query parameter too, but a
 * key in the URL would be written wherever the URL is (the sink's destination, logs, dead
 * letters), so it belongs in `functionKey`. Messages never repeat the URL, since it may hold
 * the key.
 */
export function functionUrlSetting(
  value: string,
  path: readonly PathSegment[],
  report: (path: readonly PathSegment[], message: string) => void,
): URL | undefined {
  // Checked here first because httpUrlSetting quotes a value it cannot parse.
  if (!URL.canParse(value)) {
    report(path, 'is not an absolute URL (https://<app>.azurewebsites.net/api/<function>)');
    return undefined;
  }
  const url = httpUrlSetting(value, path, report);
  if (!url) return undefined;
  // ASP.NET reads query parameter names without regard to case.
  if ([...url.searchParams.keys()].some((name) => name.toLowerCase() === 'code')) {
    report(
      path,
      'the URL carries the function key (the `code` query parameter): remove it and set functionKey, which sends it in the x-functions-key header',
    );
    return undefined;
  }
  if (url.username || url.password) {
    report(path, 'the URL carries a user name or password; Azure Functions takes its key from functionKey');
    return undefined;
  }
  return url;
}
