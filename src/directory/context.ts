import type { ProvisioningEvent } from '../model/event.js';
import type { SiteRecord } from '../model/site.js';

/** Who is acting, on which site, for which request: carried from the edge into every write. */
export interface Actor {
  readonly siteId: string;
  readonly kind: ProvisioningEvent['actor'];
  readonly tokenId: string | null;
  readonly requestId: string | null;
}

/** Everything a call on a site's directory needs to know about who is calling and where. */
export interface RequestContext {
  readonly site: SiteRecord;
  readonly actor: Actor;
}

/** The context of an operator's command: the CLI acts for no token and no request. */
export function cliContext(site: SiteRecord): RequestContext {
  return { site, actor: { siteId: site.id, kind: 'cli', tokenId: null, requestId: null } };
}
