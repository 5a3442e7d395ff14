/**
 * The part of Leaflet's stylesheet this app needs, adopted into the map's shadow root (a
 * document-level leaflet.css does not reach into shadow DOM). Positioning rules follow
 * leaflet/dist/leaflet.css 1.9.4; colours are ours.
 */
import { css } from 'lit';

export const leafletStyles = css`
  .leaflet-pane,
  .leaflet-tile,
  .leaflet-tile-container,
  .leaflet-pane > svg,
  .leaflet-pane > canvas,
  .leaflet-zoom-box,
  .leaflet-layer {
    position: absolute;
    left: 0;
    top: 0;
  }
  .leaflet-container {
    overflow: hidden;
    -webkit-tap-highlight-color: transparent;
    font-family: var(--lm-sans);
    font-size: 12px;
    outline-offset: -2px;
  }
  .leaflet-tile,
  .leaflet-tile-container {
    user-select: none;
  }
  .leaflet-container img.leaflet-tile {
    max-width: none !important;
    max-height: none !important;
    width: auto;
    padding: 0;
  }
  .leaflet-container .leaflet-overlay-pane svg {
    max-width: none !important;
    max-height: none !important;
  }
  .leaflet-tile {
    filter: inherit;
    visibility: hidden;
  }
  .leaflet-tile-loaded {
    visibility: inherit;
  }
  .leaflet-pane {
    z-index: 400;
  }
  .leaflet-tile-pane {
    z-index: 200;
  }
  .leaflet-overlay-pane {
    z-index: 400;
  }
  .leaflet-map-pane canvas {
    z-index: 100;
  }
  .leaflet-map-pane svg {
    z-index: 200;
  }
  .leaflet-control {
    position: relative;
    z-index: 800;
    pointer-events: auto;
    float: left;
    clear: both;
  }
  .leaflet-top,
  .leaflet-bottom {
    position: absolute;
    z-index: 1000;
    pointer-events: none;
  }
  .leaflet-top {
    top: 0;
  }
  .leaflet-right {
    right: 0;
  }
  .leaflet-bottom {
    bottom: 0;
  }
  .leaflet-left {
    left: 0;
  }
  .leaflet-right .leaflet-control {
    float: right;
  }
  .leaflet-top .leaflet-control {
    margin-top: 10px;
  }
  .leaflet-bottom .leaflet-control {
    margin-bottom: 10px;
  }
  .leaflet-left .leaflet-control {
    margin-left: 10px;
  }
  .leaflet-right .leaflet-control {
    margin-right: 10px;
  }
  .leaflet-grab {
    cursor: grab;
  }
  .leaflet-dragging .leaflet-grab {
    cursor: grabbing;
  }
  .leaflet-bar {
    border: 1px solid var(--lm-line);
    border-radius: 4px;
    background: var(--lm-panel);
  }
  .leaflet-bar a {
    display: block;
    width: 30px;
    height: 30px;
    line-height: 30px;
    text-align: center;
    text-decoration: none;
    color: var(--lm-text);
    font: bold 18px var(--lm-mono);
  }
  .leaflet-bar a + a {
    border-top: 1px solid var(--lm-line);
  }
  .leaflet-bar a:hover {
    background: var(--lm-panel-2);
  }
  .leaflet-bar a.leaflet-disabled {
    color: var(--lm-muted);
    cursor: default;
  }
  .leaflet-control-scale-line {
    border: 1px solid var(--lm-muted);
    border-top: none;
    padding: 1px 5px;
    color: var(--lm-text);
    background: rgba(11, 22, 32, 0.75);
    white-space: nowrap;
    box-sizing: border-box;
    font-family: var(--lm-mono);
    font-size: 11px;
  }
  .leaflet-control-attribution {
    margin: 0 !important;
    padding: 1px 6px;
    background: rgba(11, 22, 32, 0.75);
    color: var(--lm-muted);
    font-size: 11px;
  }
  .leaflet-control-attribution a {
    color: var(--lm-accent);
  }
`;
