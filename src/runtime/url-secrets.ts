/**
 * Secrets written into a URL: `user:password@` userinfo, or a query parameter whose name says it
 * holds a credential (`?token=…`, `api_key=…`, `sig=…`). Such URLs end up in rendered configs,
 * logs and audit trails, so vigil's inputs reject them and point at the `*_file` form.
 */
export interface UrlSecret {
  /** Offset of the secret-bearing part in the URL text. */
  readonly offset: number;
  /** What it is, e.g. `password in the userinfo` or `query parameter "token"`. */
  readonly what: string;
}

const SECRET_PARAM =
  /^(?:.*[-_.])?(?:token|access[-_]?token|auth|authorization|key|api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|pwd|sig|signature|credentials?|code)$/i;

/** The secrets `url` carries (empty when none, or when it is not a URL at all). */
export function secretsInUrl(url: string): UrlSecret[] {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return [];
  const out: UrlSecret[] = [];
  const authorityStart = scheme[0].length;
  const authorityEnd = url.slice(authorityStart).search(/[/?#]/);
  const authority = url.slice(authorityStart, authorityEnd < 0 ? undefined : authorityStart + authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    out.push({ offset: authorityStart, what: userinfo.includes(':') ? 'a user and password in the URL' : 'a user name (often a token) in the URL' });
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    const hash = url.indexOf('#', q);
    const query = url.slice(q + 1, hash < 0 ? undefined : hash);
    let offset = q + 1;
    for (const pair of query.split('&')) {
      const name = decodeSafely(pair.split('=')[0] ?? '');
      if (SECRET_PARAM.test(name)) out.push({ offset, what: `the query parameter ${JSON.stringify(name)}` });
      offset += pair.length + 1;
    }
  }
  return out;
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
