// The world-atlas TopoJSON is bundled (no network fetch); typed here rather
// than inferred from the 100 KB file.
declare module "world-atlas/countries-110m.json" {
  import type { Topology, GeometryCollection } from "topojson-specification";
  const world: Topology<{ countries: GeometryCollection<{ name: string }>; land: GeometryCollection }>;
  export default world;
}
