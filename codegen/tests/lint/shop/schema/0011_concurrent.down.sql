DROP INDEX orders_total_idx;
