package io.mixpanelpipelines.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Checks HTTP Basic credentials the way Mixpanel's export API does: a service account
 * ({@code user:secret}, plus a {@code project_id} parameter naming the project) or a project secret (the
 * secret as user name, empty password). Rejections never mention the credential. Immutable; thread-safe.
 */
final class CredentialCheck {

    static final String UNAUTHENTICATED = "Unable to authenticate request";

    private final String projectId;
    private final byte[] serviceAccountUser;
    private final byte[] serviceAccountSecret;
    private final byte[] projectSecret;

    /** Null for a credential kind that is not accepted. */
    CredentialCheck(String projectId, String serviceAccountUser, String serviceAccountSecret,
            String projectSecret) {
        this.projectId = projectId;
        this.serviceAccountUser = bytes(serviceAccountUser);
        this.serviceAccountSecret = bytes(serviceAccountSecret);
        this.projectSecret = bytes(projectSecret);
    }

    /**
     * Accepts or rejects a request.
     *
     * @param authorization the Authorization header, may be null
     * @param projectIdParam the {@code project_id} query parameter, may be null
     */
    void check(String authorization, String projectIdParam) throws ExportRejection {
        String[] userAndPassword = decode(authorization);
        if (userAndPassword == null) {
            throw new ExportRejection(401, UNAUTHENTICATED);
        }
        byte[] user = userAndPassword[0].getBytes(StandardCharsets.UTF_8);
        byte[] password = userAndPassword[1].getBytes(StandardCharsets.UTF_8);
        if (serviceAccountUser != null && equal(user, serviceAccountUser) && equal(password, serviceAccountSecret)) {
            if (projectIdParam == null || projectIdParam.isBlank()) {
                throw new ExportRejection(400, "project_id is required when authenticating with a service account");
            }
            requireProject(projectIdParam);
        } else if (projectSecret != null && password.length == 0 && equal(user, projectSecret)) {
            if (projectIdParam != null && !projectIdParam.isBlank()) {
                requireProject(projectIdParam);
            }
        } else {
            throw new ExportRejection(401, UNAUTHENTICATED);
        }
    }

    private void requireProject(String projectIdParam) throws ExportRejection {
        if (!projectId.equals(projectIdParam.strip())) {
            throw new ExportRejection(403, "You do not have permission to access this project");
        }
    }

    /** {user, password}, or null when the header is missing or not valid Basic auth. */
    private static String[] decode(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // deliberately not rethrown: the message could quote the credential
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    /** Constant-time, so timing does not reveal how much of a guess was right. */
    private static boolean equal(byte[] given, byte[] expected) {
        return expected != null && MessageDigest.isEqual(given, expected);
    }

    private static byte[] bytes(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }
}
