"""HTTP layer: FastAPI app factory, routes, schemas, auth and error mapping."""
