/**
 * The OpenAPI 3.0 document of `/ogcapi` (`GET /ogcapi/api`), written by hand: small, but every path, parameter and
 * answer the server serves, with the `limit` bounds that clients such as GDAL read to size their pages.
 */
import { OGC_COLLECTIONS } from '../data/ogc-collections.js';
import { OGC_LIMITS } from '../domain/ogc.js';

const json = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json('Paramètre invalide (le message le nomme)', { $ref: '#/components/schemas/Error' }),
  401: json('Connexion requise (collections non publiques)', { $ref: '#/components/schemas/Error' }),
  404: json('Introuvable', { $ref: '#/components/schemas/Error' }),
};
const f = { $ref: '#/components/parameters/f' };
const collectionId = { $ref: '#/components/parameters/collectionId' };

/** The document, for the server's base URL (`…/ogcapi`). */
export function openApiDocument(base: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'GUP — OGC API – Features',
      version: '1.0.0',
      description: 'Couches de la gestion urbaine de proximité (Part 1 Core, GeoJSON, HTML ; Part 3 : filtre CQL2 texte de base). '
        + 'Collections publiques : communes, qpv, parcels ; sous-secteurs et signalements pour les utilisateurs connectés.',
    },
    servers: [{ url: base }],
    paths: {
      '/': { get: { summary: 'Page d\'accueil', operationId: 'getLandingPage', parameters: [f], responses: { 200: json('Page d\'accueil'), 400: errors[400] } } },
      '/conformance': { get: { summary: 'Classes de conformité', operationId: 'getConformance', parameters: [f], responses: { 200: json('Conformité'), 400: errors[400] } } },
      '/api': { get: { summary: 'Ce document', operationId: 'getApi', responses: { 200: { description: 'OpenAPI 3.0', content: { 'application/vnd.oai.openapi+json;version=3.0': { schema: { type: 'object' } } } } } } },
      '/collections': { get: { summary: 'Collections lisibles par l\'appelant', operationId: 'getCollections', parameters: [f], responses: { 200: json('Collections'), 400: errors[400] } } },
      '/collections/{collectionId}': {
        get: { summary: 'Une collection', operationId: 'describeCollection', parameters: [collectionId, f], responses: { 200: json('Collection'), ...errors } },
      },
      '/collections/{collectionId}/queryables': {
        get: { summary: 'Propriétés filtrables (JSON Schema)', operationId: 'getQueryables', parameters: [collectionId, f], responses: { 200: { description: 'Queryables', content: { 'application/schema+json': { schema: { type: 'object' } } } }, ...errors } },
      },
      '/collections/{collectionId}/schema': {
        get: { summary: 'Schéma des objets (JSON Schema, lien describedBy)', operationId: 'getSchema', parameters: [collectionId, f], responses: { 200: { description: 'Schéma', content: { 'application/schema+json': { schema: { type: 'object' } } } }, ...errors } },
      },
      '/collections/{collectionId}/items': {
        get: {
          summary: 'Objets d\'une collection, page par page (liens next)',
          operationId: 'getFeatures',
          parameters: [
            collectionId,
            { name: 'limit', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'integer', minimum: 1, maximum: OGC_LIMITS.maxLimit, default: OGC_LIMITS.defaultLimit } },
            { name: 'bbox', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } } },
            { name: 'bbox-crs', in: 'query', required: false, schema: { type: 'string', enum: ['http://www.opengis.net/def/crs/OGC/1.3/CRS84'] } },
            { name: 'datetime', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'string' } },
            { name: 'filter', in: 'query', required: false, description: 'CQL2 texte de base, S_INTERSECTS', schema: { type: 'string' } },
            { name: 'filter-lang', in: 'query', required: false, schema: { type: 'string', enum: ['cql2-text'] } },
            { name: 'cursor', in: 'query', required: false, description: 'Curseur opaque des liens next', schema: { type: 'string' } },
            f,
          ],
          responses: { 200: { description: 'FeatureCollection', content: { 'application/geo+json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } } }, ...errors },
        },
      },
      '/collections/{collectionId}/items/{featureId}': {
        get: {
          summary: 'Un objet',
          operationId: 'getFeature',
          parameters: [collectionId, { name: 'featureId', in: 'path', required: true, schema: { type: 'string' } }, f],
          responses: { 200: { description: 'Feature', content: { 'application/geo+json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } } }, ...errors },
        },
      },
    },
    components: {
      parameters: {
        f: { name: 'f', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html'] } },
        collectionId: { name: 'collectionId', in: 'path', required: true, schema: { type: 'string', enum: OGC_COLLECTIONS.map((c) => c.id) } },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
      },
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'gup_session' } },
    },
  };
}
