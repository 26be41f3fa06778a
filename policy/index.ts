/**
 * The thanos-stack policy pack: `pulumi preview --policy-pack policy`.
 * Every check is a plain function in ./checks, also run offline by the tests
 * over every stack's render.
 */
import { PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ALL_CHECKS } from "./checks";

const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = ALL_CHECKS.map((c) =>
    c.kind === "resource"
        ? {
              name: c.name,
              description: c.description,
              enforcementLevel: "mandatory",
              validateResource: (args, reportViolation) => {
                  for (const message of c.check({ type: args.type, name: args.name, props: args.props })) reportViolation(message);
              },
          }
        : {
              name: c.name,
              description: c.description,
              enforcementLevel: "mandatory",
              validateStack: (args, reportViolation) => {
                  const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
                  for (const message of c.check(resources)) reportViolation(message);
              },
          },
);

new PolicyPack("thanos-stack", { enforcementLevel: "mandatory", policies });
