/**
 * Pod settings of the whole stack and of each component: where the pods run (`placement`), how they log
 * (`logging`), and the extra flags of the Thanos components (`extraArgs`), each checked against the flags of the
 * pinned Thanos version.
 */
import { z } from "zod";
import { LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel, placementIssues } from "../../../components/lib/placement";
import { thanosArgProblems } from "../../../policy/checks/thanosFlags";
import { integer, text } from "../rules";

const LABEL_MAP_RULE = "must be a map of node label keys to values";

/** A node selector term's expression. */
const nodeSelectorRequirement = z.strictObject({
    key: text("a node label key").meta({ description: "Node label (or field) key." }),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], { error: "must be one of: In, NotIn, Exists, DoesNotExist, Gt, Lt" }).meta({ description: "How the values are matched." }),
    values: z.array(text(), { error: "must be a list of values" }).optional().meta({ description: "Values (none with Exists and DoesNotExist)." }),
});
const nodeSelectorTerm = z
    .strictObject({
        matchExpressions: z.array(nodeSelectorRequirement, { error: "must be a list of {key, operator, values}" }).optional().meta({ description: "Expressions on node labels, all of which must hold." }),
        matchFields: z.array(nodeSelectorRequirement, { error: "must be a list of {key, operator, values}" }).optional().meta({ description: "Expressions on node fields (`metadata.name`)." }),
    })
    .meta({ description: "A node selector term." });

/**
 * `placement`: node selector, tolerations, node affinity, pull Secrets, registry mirror. A component's (`own`) is
 * documented once, as the stack-wide section's fields.
 */
export function placement(description: string, own = true) {
    return z
        .strictObject({
            nodeSelector: z.record(z.string(), z.string({ error: "must be a label value (a string)" }), { error: LABEL_MAP_RULE }).optional().meta({ description: "Node labels every pod requires (`nodeSelector`)." }),
            tolerations: z
                .array(
                    z.strictObject({
                        key: text("a taint key").optional().meta({ description: "Taint key (unset with operator Exists: every taint)." }),
                        operator: z.enum(["Exists", "Equal"], { error: "must be Exists or Equal" }).optional().meta({ description: "`Equal` (the default: key and value match) or `Exists` (the key alone)." }),
                        value: z.string({ error: "must be a string" }).optional().meta({ description: "Taint value (with Equal)." }),
                        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], { error: "must be one of: NoSchedule, PreferNoSchedule, NoExecute" }).optional().meta({ description: "Taint effect tolerated (every effect when unset)." }),
                        tolerationSeconds: integer(0).optional().meta({ description: "With NoExecute: how long the pod stays after the taint appears." }),
                    }),
                    { error: "must be a list of {key, operator, value, effect}" },
                )
                .optional()
                .meta({ description: "Taints the pods tolerate (`tolerations`)." }),
            nodeAffinity: z
                .strictObject({
                    requiredDuringSchedulingIgnoredDuringExecution: z
                        .strictObject({
                            nodeSelectorTerms: z
                                .array(nodeSelectorTerm, { error: "must be a list of node selector terms" })
                                .min(1, { error: "must list at least one term" })
                                .meta({ description: "Terms, any one of which a node must match." }),
                        })
                        .optional()
                        .meta({ description: "Nodes the pods may run on only." }),
                    preferredDuringSchedulingIgnoredDuringExecution: z
                        .array(
                            z.strictObject({ weight: integer(1, 100).meta({ description: "Weight of the preference (1-100)." }), preference: nodeSelectorTerm }),
                            { error: "must be a list of {weight, preference}" },
                        )
                        .optional()
                        .meta({ description: "Nodes the scheduler prefers, by weight." }),
                })
                .optional()
                .meta({ description: "Node affinity (`affinity.nodeAffinity`); the stack's pod anti-affinity and zone spread stay." }),
            imagePullSecrets: z.array(text("a Secret name"), { error: "must be a list of Secret names" }).optional().meta({ description: "Secrets in the namespace to pull images with." }),
            imageRegistry: text("a registry host and path, like registry.example.com/mirror").optional().meta({ description: "A registry mirror: replaces the registry host of every image (`quay.io/thanos/thanos:v0.42.4` -> `<imageRegistry>/thanos/thanos:v0.42.4`)." }),
        })
        .superRefine((p, ctx) => {
            // The components' own rules (label syntax, toleration semantics, registry form), one issue each.
            for (const issue of placementIssues(p)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.rule, input: issue.input });
        })
        .optional()
        .meta({ description, ...(own ? { sameAs: "placement" } : {}) });
}

/** `logging`: level and format; a component's (`own`) is documented as the stack-wide section's fields. */
export function logging(description: string, own = true) {
    return z
        .strictObject({
            level: z.enum(LogLevel, { error: `must be one of: ${LOG_LEVELS.join(", ")}` }).optional().meta({ description: "`--log.level` (the Operator's `logLevel`); info when unset." }),
            format: z.enum(LogFormat, { error: `must be one of: ${LOG_FORMATS.join(", ")}` }).optional().meta({ description: "`--log.format` (the Operator's `logFormat`); logfmt when unset." }),
        })
        .optional()
        .meta({ description, ...(own ? { sameAs: "logging" } : {}) });
}

/** `extraArgs` of a Thanos component: flags of `thanos <subcommand>` in the pinned version, each checked. */
export function extraArgs(subcommand: string) {
    return z
        .array(text("a flag, --name or --name=value"), { error: "must be a list of flags" })
        .default([])
        .superRefine((args, ctx) => {
            args.forEach((arg, i) => {
                // The checker's sentence without its own "got …": the issue names the whole flag.
                for (const problem of thanosArgProblems([subcommand, arg], "x")) ctx.addIssue({ code: "custom", path: [i], message: problem.replace(/^x: /, "").replace(/, got .*$/s, ""), input: arg });
            });
        })
        .meta({ description: `Flags added to \`thanos ${subcommand}\` after the stack's own (\`--name=value\`), each checked against Thanos v0.42.4; a flag the stack sets is refused.` });
}
