package io.sandboxops.emulator.run;

import io.sandboxops.emulator.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Offset paging as the List methods do it: an opaque token, a page size capped like the real API. */
record Paging<T>(List<T> items, String nextPageToken) {

    static <T> Paging<T> page(List<T> all, int pageSize, String pageToken) {
        if (pageSize < 0) {
            throw ApiError.invalidArgument("page_size", "must not be negative");
        }
        int size = pageSize == 0 ? 100 : Math.min(pageSize, 1000);
        int from = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            try {
                from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidArgument("page_token", "invalid page token");
            }
        }
        int to = Math.min(all.size(), from + size);
        String next = to < all.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(to).getBytes(StandardCharsets.UTF_8))
                : "";
        return new Paging<>(from >= all.size() ? List.of() : all.subList(from, to), next);
    }
}
