package io.resplit.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesTheTreeInOrderWithEscapes() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "a\"b\\c\nd</script>\u0001");
        doc.put("n", 12L);
        doc.put("d", 1.5);
        doc.put("unknown", Double.NaN);
        doc.put("list", Arrays.asList(true, null, List.of()));
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u003c/script>\\u0001\",\"n\":12,\"d\":1.5,\"unknown\":null,"
                + "\"list\":[true,null,[]]}", Json.write(doc));
    }

    @Test
    void refusesWhatHasNoJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
