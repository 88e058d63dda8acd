package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

class LedgerTableTest {

    @Test
    void createBuildsAnActiveTableKeyedByPkAndSkWithTtlOnExpiresAtAndCanRunTwice() {
        DynamoDbClient db = LocalDynamoDb.client();
        String name = "ledger-" + UUID.randomUUID();

        LedgerTable.create(db, name);
        LedgerTable.create(db, name);

        TableDescription table = db.describeTable(b -> b.tableName(name)).table();
        assertThat(table.tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(table.keySchema()).anySatisfy(k -> {
            assertThat(k.attributeName()).isEqualTo("pk");
            assertThat(k.keyType()).isEqualTo(KeyType.HASH);
        }).anySatisfy(k -> {
            assertThat(k.attributeName()).isEqualTo("sk");
            assertThat(k.keyType()).isEqualTo(KeyType.RANGE);
        });
        var ttl = db.describeTimeToLive(b -> b.tableName(name)).timeToLiveDescription();
        assertThat(ttl.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
        assertThat(ttl.attributeName()).isEqualTo("expiresAt");
    }
}
