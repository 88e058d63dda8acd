package io.inorder.pipeline;

import static io.inorder.pipeline.TopicRoutes.Role.CHANGES;
import static io.inorder.pipeline.TopicRoutes.Role.COMBINED;
import static io.inorder.pipeline.TopicRoutes.Role.SNAPSHOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.mapping.TableConfig;
import org.junit.jupiter.api.Test;

class TopicRoutesTest {

    private final TopicRoutes routes = new TopicRoutes(TableConfig.parse("""
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.order_items": {"collection": "items", "primaryKey": []},
                        "shop.payments": {"collection": "payments", "primaryKey": ["id"],
                                          "topics": ["arcion-prod.shop-payments", "shop_orders_legacy"]},
                        "shop.refunds": {"collection": "refunds", "primaryKey": ["id"], "splitTopic": false},
                        "shop.invoices": {"collection": "invoices", "primaryKey": ["id"],
                                          "snapshotTopics": ["inv-snap"], "topics": ["inv-changes"]},
                        "a_b.c": {"collection": "x", "primaryKey": ["id"]},
                        "a.b_c": {"collection": "y", "primaryKey": ["id"]}}}""", "test"));

    @Test
    void snapshotTopicsMapToTheirTableByArcionsDefaultName() {
        assertThat(routes.route("shop_orders")).isEqualTo(new TopicRoutes.Table("shop.orders", SNAPSHOT));
        assertThat(routes.route("shop_order_items")).isEqualTo(new TopicRoutes.Table("shop.order_items", SNAPSHOT));
    }

    @Test
    void realtimeTopicsDropTheirCdcLogsSuffix() {
        assertThat(routes.route("shop_orders_cdc_logs")).isEqualTo(new TopicRoutes.Table("shop.orders", CHANGES));
        assertThat(routes.route("SHOP_ORDER_ITEMS_CDC_LOGS"))
                .isEqualTo(new TopicRoutes.Table("shop.order_items", CHANGES));
    }

    @Test
    void anExplicitTopicListWinsOverTheDefaultNames() {
        assertThat(routes.route("arcion-prod.shop-payments")).isEqualTo(new TopicRoutes.Table("shop.payments", CHANGES));
        assertThat(routes.route("shop_orders_legacy")).isEqualTo(new TopicRoutes.Table("shop.payments", CHANGES));
        assertThat(routes.route("inv-snap")).isEqualTo(new TopicRoutes.Table("shop.invoices", SNAPSHOT));
        assertThat(routes.route("inv-changes")).isEqualTo(new TopicRoutes.Table("shop.invoices", CHANGES));
    }

    @Test
    void withSplitTopicFalseOneTopicCarriesSnapshotAndChangesUnderEitherDefaultName() {
        assertThat(routes.route("shop_refunds")).isEqualTo(new TopicRoutes.Table("shop.refunds", COMBINED));
        assertThat(routes.route("shop_refunds_cdc_logs")).isEqualTo(new TopicRoutes.Table("shop.refunds", COMBINED));
    }

    @Test
    void replicantTopicsAreIgnored() {
        assertThat(routes.route("replicate_io_replication_schema_inorder_1")).isEqualTo(new TopicRoutes.Ignored());
    }

    @Test
    void anUnknownTopicIsUnmappedWithAReasonThatNamesItAndTheFix() {
        assertThat(routes.route("shop_returns")).isInstanceOfSatisfying(TopicRoutes.Unmapped.class, u ->
                assertThat(u.reason()).contains("'shop_returns'").contains("\"topics\": [\"shop_returns\"]")
                        .contains("\"snapshotTopics\""));
    }

    @Test
    void aTopicTwoTablesCouldOwnIsUnmappedRatherThanGuessed() {
        assertThat(routes.route("a_b_c_cdc_logs")).isInstanceOfSatisfying(TopicRoutes.Unmapped.class, u ->
                assertThat(u.reason()).contains("matches 2 configured tables"));
    }
}
