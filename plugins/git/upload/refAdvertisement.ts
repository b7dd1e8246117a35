/**
 * The refs a repository advertises in `info/refs`. For upload-pack, HEAD comes first (when the
 * deploy branch exists) and annotated tags carry their peeled target, as git's server sends them.
 */
import { parseTag } from '../repo/commitObject.js';
import type { BareRepo } from '../repo/bareRepo.js';
import { advertisementContentType, encodeAdvertisement, RECEIVE_CAPABILITIES, UPLOAD_CAPABILITIES, type AdvertisedRef, type GitService } from '../protocol/advertisement.js';

/** The refs to advertise for a service. */
export async function advertisedRefs(repo: BareRepo, service: GitService, headRef?: string): Promise<AdvertisedRef[]> {
  const refs = await repo.refs.list();
  if (service === 'git-receive-pack') return refs;
  const store = repo.objects();
  const advertised: AdvertisedRef[] = [];
  const head = headRef ? refs.find((ref) => ref.name === headRef) : undefined;
  if (head) advertised.push({ name: 'HEAD', oid: head.oid });
  for (const ref of refs) {
    let peeled: string | undefined;
    if (ref.name.startsWith('refs/tags/')) {
      // Fully peeled, as git advertises it: a tag of a tag names the final object.
      for (let object = await store.read(ref.oid), oid = ref.oid; object.type === 'tag'; object = await store.read(oid)) {
        oid = parseTag(oid, object.content).object;
        peeled = oid;
      }
    }
    advertised.push({ ...ref, ...(peeled ? { peeled } : {}) });
  }
  return advertised;
}

/** The advertisement body and its content type for a site's repository. */
export async function refAdvertisement(repo: BareRepo, service: GitService, deployRef: string): Promise<{ body: Buffer; contentType: string }> {
  const refs = await advertisedRefs(repo, service, deployRef);
  const capabilities: string[] = service === 'git-receive-pack' ? [...RECEIVE_CAPABILITIES] : [...UPLOAD_CAPABILITIES];
  if (service === 'git-upload-pack' && refs[0]?.name === 'HEAD') capabilities.push(`symref=HEAD:${deployRef}`);
  return { body: encodeAdvertisement(service, refs, capabilities), contentType: advertisementContentType(service) };
}
