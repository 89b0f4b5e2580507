/** The response shapes moved beside the routes that declare them (src/management/response-shapes.ts); kept for tests. */
export { responseShapes, type ResponseShapes } from "../management/response-shapes";
