import { restoreCertificatePem } from "../backup/restore-key";
import type { LazyRouteDoc } from "../http/route-doc";
import { routeGroup } from "../http/route-group";

/**
 * `GET /admin/restore-certificate` (docs/backup.md): the deployment's restore certificate, PEM, made on the first call.
 * A backup made in another deployment for this certificate restores here. Behind adminAuth: the certificate is no
 * secret, but which deployments an operator runs is theirs to tell.
 */
export const restoreCertificateRoutes = routeGroup({ kind: "operator" });

/**
 * PEM is text (RFC 7468 §2: printable ASCII lines), and no media type is registered for it: text/plain (RFC 2046
 * §4.1.3) is shown by curl and browsers as it is and saves as the .pem file `openssl x509 -in` reads, where the
 * unregistered application/x-pem-file would be downloaded blind.
 */
const PEM_CONTENT_TYPE = "text/plain; charset=utf-8";

const restoreCertificateDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Operator",
    summary: "The deployment's restore certificate (PEM), made on the first call",
    description:
      "An RSA 3072 self-signed X.509 certificate (keyUsage keyEncipherment, about ten years' validity). Give it to " +
      "POST /admin/tenants/{id}/backup in the deployment a tenant comes from: that backup then restores only here. " +
      "Its private key is kept sealed under the key-encryption key and sealed again by each KEK rotation; the " +
      "certificate never changes (docs/backup.md).",
    responses: { 200: { kind: "text", description: "The certificate, PEM (RFC 7468 §5.1)" } },
  }));

restoreCertificateRoutes.declare("get", "/admin/restore-certificate", restoreCertificateDoc, async (c) => {
  return new Response(await restoreCertificatePem(c.env), { headers: { "Content-Type": PEM_CONTENT_TYPE } });
});
