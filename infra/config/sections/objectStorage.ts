/**
 * The bucket behind Thanos (S3 or in-cluster MinIO).
 */
import { z } from "zod";
import { bucketName } from "../rules";

/** `objectStorage` section. */
export const objectStorage = z
    .strictObject({
        provider: z
            .enum(["s3", "minio"], { error: "must be one of: s3, minio" })
            .meta({ description: "`s3` (an AWS bucket) or `minio` (in-cluster MinIO, for the local stack)." }),
        bucketName: bucketName().meta({ description: "Name of the one bucket that holds every Thanos block." }),
    })
    .meta({ description: "The object storage bucket behind Thanos." });

