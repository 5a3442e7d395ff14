/** Web Mercator in pixels at zoom 0 (a 256 px world), as Leaflet's EPSG:3857 has it. */
const MAX_LAT = 85.0511287798;

export function projectX(lon: number): number {
  return (256 * (lon + 180)) / 360;
}

export function projectY(lat: number): number {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI));
}
