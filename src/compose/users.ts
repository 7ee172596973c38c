/**
 * Which user a component runs as. berth pods run with runAsNonRoot: an image whose own user is
 * root would not start, so such images get an explicit uid (their own non-root user where they
 * have one), and root stays only where it is truly needed, as a declared security exception.
 */
import type { SecurityException } from '../render/model.ts';
import type { ComposeService } from './model.ts';

export interface UserDecision {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly securityException?: SecurityException;
  /** How it runs, for the report: `uid 999`, `root (security exception)`, `unknown`. */
  readonly runsAs: string;
  readonly why: string;
}

/**
 * Images that start as root but ship a non-root user the program runs fine as (their entrypoints
 * drop to it), by image name; `alpine` tags differ where the Alpine variant uses another uid.
 */
const IMAGE_USERS: readonly {
  readonly image: RegExp;
  readonly uid: number;
  readonly alpine?: number;
  /** What else running as that uid needs. */
  readonly caveat?: string;
}[] = [
  { image: /^(postgres|pgvector|postgis)$/, uid: 999, alpine: 70 },
  { image: /^(mysql|mariadb|mongo|rabbitmq|redis|valkey)$/, uid: 999 },
  {
    image: /^nginx$/,
    uid: 101,
    caveat:
      'as 101, nginx needs a writable pid path and /var/cache/nginx (emptyDirs) — or use nginxinc/nginx-unprivileged',
  },
  { image: /^nginx-unprivileged$/, uid: 101 },
  { image: /^clickhouse(-server)?$/, uid: 101 },
  { image: /^(minio|weaviate|qdrant|node)$/, uid: 1000 },
];

/** Base images with no service user: a plain command runs as nobody. */
const ROOT_BASES =
  /^(busybox|alpine|ubuntu|debian|centos|fedora|rockylinux|almalinux|amazonlinux|python|golang|ruby|perl|bash)$/;

/** Commands that change owners or modes of files they do not own: root with the file capabilities. */
const OWNERSHIP = /\b(chown|chmod|chgrp|setfacl)\b/;

const NAMED_USERS: Readonly<Record<string, number>> = { nobody: 65534, 'www-data': 33, node: 1000 };

export function imageName(reference: string | undefined): { name: string; tag: string } {
  const rest = (reference ?? '').split('@')[0]!;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return {
    name: (hasTag ? rest.slice(0, colon) : rest).split('/').at(-1)!,
    tag: hasTag ? rest.slice(colon + 1) : 'latest',
  };
}

function imageUser(reference: string | undefined): { uid: number; caveat?: string } | undefined {
  const { name, tag } = imageName(reference);
  const known = IMAGE_USERS.find((entry) => entry.image.test(name));
  if (!known) return undefined;
  const uid = tag.includes('alpine') && known.alpine !== undefined ? known.alpine : known.uid;
  return { uid, ...(known.caveat ? { caveat: known.caveat } : {}) };
}

export function decideUser(service: ComposeService): UserDecision {
  const image = service.image ?? '(no image)';
  const [user = '', group] = (service.user ?? '').split(':');
  const declaredRoot = service.user !== undefined && (user === 'root' || user === '0');
  const command = [...(service.entrypoint ?? []), ...(service.command ?? [])].join(' ');
  const imageUid = imageUser(service.image);
  const known = imageUid?.uid;
  const caveat = imageUid?.caveat ? `; ${imageUid.caveat}` : '';
  const rootBase = ROOT_BASES.test(imageName(service.image).name);

  if (/^\d+$/.test(user) && Number(user) > 0) {
    return {
      runAsUser: Number(user),
      ...(/^\d+$/.test(group ?? '') ? { runAsGroup: Number(group) } : {}),
      runsAs: `uid ${user}`,
      why: `compose user: ${service.user}`,
    };
  }
  if (service.user !== undefined && !declaredRoot) {
    const uid = NAMED_USERS[user] ?? known;
    if (uid !== undefined)
      return {
        runAsUser: uid,
        runAsGroup: uid,
        runsAs: `uid ${uid}`,
        why: `compose user: ${user} is uid ${uid} in ${image}`,
      };
    return {
      runsAs: 'unknown',
      why: `compose user: ${service.user} is a name; set the numeric uid it has in ${image} (runAsNonRoot needs a number)`,
    };
  }
  const startsAsRoot = declaredRoot || known !== undefined || rootBase;
  if (startsAsRoot && OWNERSHIP.test(command)) {
    const word = OWNERSHIP.exec(command)![1];
    return {
      securityException: {
        reason: `runs ${word} on files it does not own (compose: ${declaredRoot ? `user: ${service.user}, ` : ''}\`${command.slice(0, 80)}\`), which needs root and the file-owner capabilities; an fsGroup on the pods that use the volume usually makes this job unnecessary`,
        runAsRoot: true,
        addCapabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'],
      },
      runsAs: 'root (security exception)',
      why: `${word} needs root; consider fsGroup instead`,
    };
  }
  if (known !== undefined) {
    return {
      runAsUser: known,
      runAsGroup: known,
      runsAs: `uid ${known}`,
      why: declaredRoot
        ? `compose says user: ${service.user}, but ${image} has its own non-root user ${known}${caveat}`
        : `${image} starts as root; its own non-root user is ${known}${caveat}`,
    };
  }
  if (declaredRoot) {
    return {
      securityException: {
        reason: `compose runs ${service.name} as root (user: ${service.user}) and berth knows no non-root user of ${image}; remove this exception once the image is known to run as a non-root uid`,
        runAsRoot: true,
      },
      runsAs: 'root (security exception)',
      why: `declared user: ${service.user}; review`,
    };
  }
  if (rootBase) {
    return {
      runAsUser: 65534,
      runAsGroup: 65534,
      runsAs: 'uid 65534',
      why: `${image} has no service user and would run as root: nobody (its writable paths must be volumes)`,
    };
  }
  return {
    runsAs: 'unknown',
    why: `${image}: berth does not know its user; if it is root (or a name), the pod will not start under runAsNonRoot — set runAsUser`,
  };
}
