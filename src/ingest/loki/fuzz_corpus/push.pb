
š
/{service_name="api", env="prod", job="varlogs"};
 ñºÉ/{"level":"warn","msg":"slow","duration_ms":812}*
¡ñºÉplain text line
trace_idabc

{app="w\"eb"}x