import { z } from "zod";

/**
 * `server.cors`: off unless configured, so browsers on other sites cannot call the API. `origin` is
 * `"*"`, one origin, or a list; `credentials` lets browsers send cookies and `Authorization`.
 */
export const corsSettingsSchema = z
  .union([
    z.literal(false),
    z
      .object({
        origin: z.union([
          z.literal("*"),
          z.url({ protocol: /^https?$/ }),
          z.array(z.url({ protocol: /^https?$/ })).min(1),
        ]),
        credentials: z.boolean().default(false),
        /** Seconds a browser may cache a preflight answer. */
        maxAge: z.number().int().min(0).max(86_400).default(600),
      })
      .strict(),
  ])
  .default(false);

export type CorsSettings = z.infer<typeof corsSettingsSchema>;
