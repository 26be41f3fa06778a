/**
 * The container images the bench builds from its tools, each tagged with exactly the reference the stack pins
 * (components/constants.ts), so `imagePullPolicy: IfNotPresent` finds it and nothing is pulled.
 *
 * Like the upstream Thanos and Prometheus images they sit on a busybox base (a shell, wget, tar), so
 * `kubectl exec` and `kubectl cp` work the same.
 */
import { IMAGES } from "../../components/constants";
import { COREDNS_IMAGE, PAUSE_IMAGE } from "../cluster/config";
import { toolBinary } from "../tools/installed";
import { BENCH_IMAGES } from "./refs";

export { BENCH_IMAGES };

export interface ImageFile {
    /** Absolute path inside the image. */
    readonly path: string;
    /** Host file to copy (mode kept). */
    readonly from: string;
}

export interface ImageSpec {
    readonly ref: string;
    /** Start from the busybox base layer (else: only the files below, like the upstream pause and distroless images). */
    readonly busybox: boolean;
    readonly files: readonly ImageFile[];
    /** Empty directories to create (mode 0755, or 1777 for tmp-like ones). */
    readonly dirs?: readonly string[];
    readonly entrypoint: readonly string[];
    readonly cmd?: readonly string[];
    readonly user: string;
    readonly workdir?: string;
    readonly env?: readonly string[];
}

const bin = (name: string, at = `/bin/${name}`): ImageFile => ({ path: at, from: toolBinary(name) });

/** Shared libraries memcached (Debian) links against, and the loader. */
const MEMCACHED_LIBS = [
    "/lib/x86_64-linux-gnu/libevent-2.1.so.7",
    "/lib/x86_64-linux-gnu/libsasl2.so.2",
    "/lib/x86_64-linux-gnu/libssl.so.3",
    "/lib/x86_64-linux-gnu/libcrypto.so.3",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib64/ld-linux-x86-64.so.2",
];


export function imageSpecs(): ImageSpec[] {
    return [
        { ref: PAUSE_IMAGE, busybox: false, files: [bin("pause", "/pause")], entrypoint: ["/pause"], user: "65535:65535" },
        { ref: COREDNS_IMAGE, busybox: false, files: [bin("coredns", "/coredns")], entrypoint: ["/coredns"], user: "0:0" },
        { ref: IMAGES.thanos, busybox: true, files: [bin("thanos")], entrypoint: ["/bin/thanos"], user: "65534:65534" },
        {
            ref: IMAGES.prometheus,
            busybox: true,
            files: [bin("prometheus"), bin("promtool")],
            dirs: ["/prometheus", "/etc/prometheus"],
            entrypoint: ["/bin/prometheus"],
            cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
            user: "65534:65534",
            workdir: "/prometheus",
        },
        { ref: IMAGES.prometheusOperator, busybox: true, files: [bin("operator")], entrypoint: ["/bin/operator"], user: "65534:65534" },
        { ref: IMAGES.prometheusConfigReloader, busybox: true, files: [bin("prometheus-config-reloader")], entrypoint: ["/bin/prometheus-config-reloader"], user: "65534:65534" },
        { ref: IMAGES.alertmanager, busybox: true, files: [bin("alertmanager"), bin("amtool")], dirs: ["/alertmanager", "/etc/alertmanager"], entrypoint: ["/bin/alertmanager"], user: "65534:65534", workdir: "/alertmanager" },
        { ref: IMAGES.pushgateway, busybox: true, files: [bin("pushgateway")], entrypoint: ["/bin/pushgateway"], user: "65534:65534" },
        { ref: IMAGES.versitygw, busybox: true, files: [bin("versitygw", "/usr/local/bin/versitygw")], entrypoint: ["/usr/local/bin/versitygw"], user: "65534:65534" },
        {
            ref: IMAGES.memcached,
            busybox: true,
            files: [{ path: "/usr/local/bin/memcached", from: "/usr/bin/memcached" }, ...MEMCACHED_LIBS.map((l) => ({ path: l, from: l }))],
            entrypoint: ["/usr/local/bin/memcached"],
            user: "11211:11211",
        },
        { ref: BENCH_IMAGES.exporter, busybox: true, files: [bin("exporter")], entrypoint: ["/bin/exporter"], user: "65534:65534" },
        { ref: BENCH_IMAGES.webhook, busybox: true, files: [bin("webhook")], entrypoint: ["/bin/webhook"], user: "65534:65534" },
        { ref: BENCH_IMAGES.probe, busybox: true, files: [], entrypoint: ["/bin/sh"], user: "65534:65534" },
    ];
}
