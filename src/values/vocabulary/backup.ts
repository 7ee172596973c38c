import { z } from 'zod';
import { quantity, stringMap } from './primitives.ts';

const CRON = /^(\S+\s+){4}\S+$|^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;

/** `backup.*`: where `berth backup` writes, scheduled backups, and what an upgrade requires. */
export const backupSchema = z
  .strictObject({
    to: z
      .string()
      .default('')
      .describe('Where backups go: pvc:<claim> or s3://<bucket>/<prefix>. Empty: pvc:<release>-backups.'),
    pvc: z
      .strictObject({
        size: quantity.default('20Gi').describe('Size of the claim berth creates for pvc:<release>-backups.'),
        storageClass: z.string().default('').describe('Storage class of that claim (empty: the default).'),
      })
      .prefault({}),
    s3: z
      .strictObject({
        endpoint: z.url().default('https://s3.amazonaws.com').describe('S3 endpoint of an s3:// target.'),
        existingSecret: z
          .string()
          .default('')
          .describe('Secret in the release namespace with the S3 target credentials.'),
        secretKeys: z
          .strictObject({
            accessKey: z.string().min(1).default('access-key').describe('Key of the access key id.'),
            secretKey: z.string().min(1).default('secret-key').describe('Key of the secret access key.'),
          })
          .prefault({})
          .describe('Keys of the existing Secret.'),
      })
      .prefault({}),
    schedule: z
      .string()
      .regex(CRON, 'a cron schedule such as "0 3 * * *", or @daily')
      .or(z.literal(''))
      .default('')
      .describe('Cron schedule of backups run by CronJobs in the cluster (empty: none).'),
    retention: z
      .int()
      .min(1)
      .default(14)
      .describe('Days scheduled backups are kept; a daily Job removes older ones.'),
    beforeUpgrade: z
      .enum(['auto', 'required', 'off'])
      .default('auto')
      .describe(
        'auto: an upgrade that changes the platform version takes a backup first; required: every upgrade needs a backup newer than maxAgeHours; off: no check.',
      ),
    maxAgeHours: z
      .number()
      .positive()
      .default(24)
      .describe('With beforeUpgrade=required: how recent the backup must be.'),
    redis: z
      .enum(['skip', 'rdb'])
      .default('skip')
      .describe(
        'skip: the bundled Redis is not backed up (caches, queues and locks the platform rebuilds); rdb: an RDB copy of its dataset with every backup.',
      ),
    podAnnotations: stringMap.default({}).describe('Annotations on the backup and restore pods.'),
  })
  .prefault({});

export type BackupValues = z.output<typeof backupSchema>;
