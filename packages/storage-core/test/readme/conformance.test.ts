// test/readme/conformance.test.ts
import { describeConformance } from "@vcon/storage-core/conformance";
import { MapAdapter } from "./map-adapter.example.js";

describeConformance("map", {
  create: () => new MapAdapter(),
  propertyRuns: 10,
});
