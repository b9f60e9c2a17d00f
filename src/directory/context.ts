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
  return { site, actor: operatorActor(site.id, 'cli') };
}

/** Who changed a site's own settings: an operator, with no token and no request. */
export function operatorActor(siteId: string, kind: Actor['kind']): Actor {
  return { siteId, kind, tokenId: null, requestId: null };
}
