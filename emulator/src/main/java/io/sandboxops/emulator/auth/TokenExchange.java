package io.sandboxops.emulator.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Google's Security Token Service {@code POST /v1/token} as {@code DownscopedCredentials} calls it: an RFC 8693 token
 * exchange, form-encoded, whose {@code options} carry a Credential Access Boundary. Answers as Google does: 200 with
 * {@code access_token}, {@code issued_token_type}, {@code token_type}, {@code expires_in}, or 400 with an OAuth error
 * ({@code invalid_request}, {@code invalid_grant}, {@code unsupported_grant_type}) and its {@code error_description}.
 */
public final class TokenExchange {
    public static final String PATH = "/v1/token";
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccessTokens tokens;

    public TokenExchange(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /** An HTTP answer: status and JSON body. */
    public record Answer(int status, ObjectNode body) {
    }

    /** Answers one token request: its parameters {@code p}, decoded from its {@code application/x-www-form-urlencoded} body. */
    public Answer answer(String contentType, Map<String, String> p) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return error("invalid_request", "the token request must be application/x-www-form-urlencoded");
        }
        String grantType = p.get("grant_type");
        if (grantType == null) {
            return error("invalid_request", "the grant_type parameter is missing");
        }
        if (!grantType.equals(GRANT_TYPE)) {
            return error("unsupported_grant_type", "the grant_type must be " + GRANT_TYPE);
        }
        for (String field : new String[] {"subject_token_type", "requested_token_type"}) {
            String v = p.get(field);
            if (field.equals("subject_token_type") && v == null) {
                return error("invalid_request", "the subject_token_type parameter is missing");
            }
            if (v != null && !v.equals(ACCESS_TOKEN_TYPE)) {
                return error("invalid_request", "the " + field + " must be " + ACCESS_TOKEN_TYPE + " (the local cloud "
                        + "exchanges access tokens for downscoped access tokens only)");
            }
        }
        String subject = p.get("subject_token");
        if (subject == null || subject.isBlank()) {
            return error("invalid_request", "the subject_token parameter is missing");
        }
        String options = p.get("options");
        if (options == null || options.isBlank()) {
            return error("invalid_request", "the options parameter with an access boundary is missing: the local cloud "
                    + "issues downscoped tokens only");
        }
        AccessBoundary boundary;
        try {
            boundary = AccessBoundary.fromOptions(options);
        } catch (AccessBoundary.Invalid e) {
            return error("invalid_request", e.getMessage());
        }
        AccessTokens.Exchanged issued;
        try {
            issued = tokens.exchange(subject, boundary);
        } catch (AccessTokens.InvalidGrant e) {
            return error("invalid_grant", e.getMessage());
        }
        ObjectNode ok = JSON.createObjectNode()
                .put("access_token", issued.accessToken())
                .put("issued_token_type", ACCESS_TOKEN_TYPE)
                .put("token_type", "Bearer")
                .put("expires_in", Math.max(1, issued.expiresIn().toSeconds()));
        return new Answer(200, ok);
    }

    private static Answer error(String code, String description) {
        return new Answer(400, JSON.createObjectNode().put("error", code).put("error_description", description));
    }

}
