package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge events' mappings, read from the properties as a stream: only their own top-level values count. */
class IdentityRulesTests {

    private static List<String> merge(String event, String properties) {
        List<String> out = new ArrayList<>();
        byte[] b = ("xx" + properties + "yy").getBytes(StandardCharsets.UTF_8); // a slice of a larger buffer
        IdentityRules.mergeEvent(event, b, 2, b.length - 4, 7, (from, to, t) -> out.add(from + "->" + to + "@" + t));
        return out;
    }

    @Test
    void identifyAliasAndMergeMapTheirIds() {
        assertThat(merge("$identify", "{\"$anon_distinct_id\":\"a\",\"$identified_id\":\"u\"}")).containsExactly("a->u@7");
        assertThat(merge("$identify", "{\"$anon_id\":\"a2\",\"$identified_id\":\"u\"}")).as("the HTTP API's name")
                .containsExactly("a2->u@7");
        assertThat(merge("$identify", "{\"$anon_id\":\"x\",\"$anon_distinct_id\":\"a\",\"$identified_id\":\"u\"}"))
                .as("the SDKs' name first").containsExactly("a->u@7");
        assertThat(merge("$create_alias", "{\"distinct_id\":\"u\",\"alias\":\"al\"}")).containsExactly("al->u@7");
        assertThat(merge("$merge", "{\"$distinct_ids\":[\"c\",\"b\",\"c\",\"d\"]}"))
                .as("the first is canonical; an id equal to it maps nothing").containsExactly("b->c@7", "d->c@7");
    }

    @Test
    void onlyTopLevelValuesOfItsOwnKindOfEventCount() {
        // nested objects and arrays holding the same names are skipped unread
        assertThat(merge("$identify", "{\"x\":{\"$anon_distinct_id\":\"no\",\"$identified_id\":\"no\"},\"l\":[{\"$anon_id\":1}],"
                + "\"$anon_distinct_id\":\"a\",\"$identified_id\":\"u\"}")).containsExactly("a->u@7");
        assertThat(merge("$identify", "{\"alias\":\"al\",\"distinct_id\":\"u\"}")).as("an alias's names").isEmpty();
        assertThat(merge("Login", "{\"$anon_distinct_id\":\"a\",\"$identified_id\":\"u\"}")).as("not a merge event").isEmpty();
        assertThat(merge("$create_alias", "{\"distinct_id\":\"u\",\"alias\":\"al\",\"alias\":\"al2\"}"))
                .as("a repeated property: its last value").containsExactly("al2->u@7");
    }

    @Test
    void numbersAndBooleansAreTheirJsonTextAsWrittenOtherValuesMapNothing() {
        assertThat(merge("$identify", "{\"$anon_distinct_id\":1.0E2,\"$identified_id\":true}")).containsExactly("1.0E2->true@7");
        assertThat(merge("$identify", "{\"$anon_distinct_id\":-0,\"$identified_id\":12345678901234567890123}"))
                .containsExactly("-0->12345678901234567890123@7");
        assertThat(merge("$identify", "{\"$anon_distinct_id\":{\"a\":1},\"$identified_id\":\"u\"}")).isEmpty();
        assertThat(merge("$identify", "{\"$anon_distinct_id\":null,\"$identified_id\":\"u\"}")).isEmpty();
        assertThat(merge("$identify", "{\"$anon_distinct_id\":\"\",\"$identified_id\":\"u\"}")).isEmpty();
        assertThat(merge("$merge", "{\"$distinct_ids\":[\"c\",null,{\"x\":1},[2],5,\"\",\"b\\u00e9\"]}"))
                .containsExactly("5->c@7", "b\u00e9->c@7");
        assertThat(merge("$merge", "{\"$distinct_ids\":\"c\"}")).isEmpty();
        assertThat(merge("$merge", "{\"$distinct_ids\":[]}")).isEmpty();
    }

    @Test
    void propertiesThatAreNotAnObjectOrNotJsonMapNothing() {
        assertThat(merge("$identify", "[\"$anon_distinct_id\",\"a\"]")).isEmpty();
        assertThat(merge("$identify", "\"a\"")).isEmpty();
        assertThat(merge("$identify", "{\"$anon_distinct_id\":\"a\",\"$identified_id\":")).isEmpty();
        assertThat(merge("$identify", "{\"$anon_distinct_id\":\"a\" \"$identified_id\":\"u\"}")).isEmpty();
    }
}
