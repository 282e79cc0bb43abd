import { describeConformance } from "@vcon/storage-core/conformance";
import { MysqlAdapter } from "../src/index.js";
import { describeWithMysql, testDatabase } from "./mysql-env.js";

const database = testDatabase("conformance");
let tables = 0;

await describeWithMysql("mysql conformance", () => {
  describeConformance("mysql", {
    setup: () => database.create(),
    teardown: () => database.drop(),
    // A table per storage keeps every test's data apart.
    create: () => new MysqlAdapter({ url: database.url, table: `t${tables++}` }),
  });
});
