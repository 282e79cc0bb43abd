import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes SQL migrations for src/schema.ts into drizzle/ (offline; no database needed).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/sql/schema.ts",
  out: "./drizzle",
});
