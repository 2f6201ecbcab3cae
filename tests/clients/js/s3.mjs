// The AWS SDK for JavaScript v3 at its default settings (path style aside), driven by the client
// tests (JsSdk in FastS3.Testing) one request a line on stdin: {endpoint, operation, args}. Each
// is answered with one line on stdout: {"ok": {result}}, or {"ok": {error: {status, code,
// message}}} for an S3 error as the SDK surfaced it, or {"error": "..."} when anything else went
// wrong. Credentials, region and retries come from the environment as for any user
// (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_MAX_ATTEMPTS), and so does trust in the server's
// certificate (NODE_EXTRA_CA_CERTS).
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import {
  S3Client, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const clients = new Map();
const client = (endpoint) => {
  if (!clients.has(endpoint)) {
    clients.set(endpoint, new S3Client({ endpoint, forcePathStyle: true }));
  }
  return clients.get(endpoint);
};

// The SSE-C parameters for a base64 customer key, when one is given.
const customerKey = (key) => (key ? { SSECustomerAlgorithm: "AES256", SSECustomerKey: key } : {});

const operations = {
  async mb(s3, bucket) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  },
  // Upload: a single PUT below its 5 MiB part size, multipart above, as lib-storage decides.
  async put(s3, bucket, key, file, sseKey) {
    await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: createReadStream(file), ...customerKey(sseKey) } }).done();
  },
  async ls(s3, bucket) {
    const keys = [];
    let ContinuationToken;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
      keys.push(...(page.Contents ?? []).map((o) => ({ key: o.Key, size: o.Size })));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return keys;
  },
  async head(s3, bucket, key, sseKey) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...customerKey(sseKey) }));
    return { size: head.ContentLength };
  },
  async get(s3, bucket, key, file, sseKey) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...customerKey(sseKey) }));
    await pipeline(got.Body, createWriteStream(file));
  },
  async rm(s3, bucket, key) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  async rb(s3, bucket) {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  },
};

async function answer({ endpoint, operation, args }) {
  try {
    return { ok: { result: (await operations[operation](client(endpoint), ...args)) ?? null } };
  } catch (e) {
    return e instanceof S3ServiceException
      ? { ok: { error: { status: e.$metadata.httpStatusCode, code: e.name, message: e.message } } }
      : { error: String(e?.stack ?? e) };
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(JSON.stringify(await answer(JSON.parse(line))) + "\n");
}
