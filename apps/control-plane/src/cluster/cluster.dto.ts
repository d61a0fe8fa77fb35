import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { QueryInt } from '@app/http-edge';
import { PlacementView } from '../tenants/tenants.dto';

export class HotTenantsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export class IsolateTenantDto {
  @ApiPropertyOptional({ example: '127.0.0.1', description: 'A worker of the cluster (GET /admin/cluster); with nodePort' })
  @ValidateIf((dto: IsolateTenantDto) => dto.nodeName !== undefined || dto.nodePort !== undefined)
  @IsDefined({ message: 'nodeName is required with nodePort' })
  @IsString()
  @Length(1, 253)
  nodeName?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 65535, example: 9702, description: 'With nodeName' })
  @ValidateIf((dto: IsolateTenantDto) => dto.nodeName !== undefined || dto.nodePort !== undefined)
  @IsDefined({ message: 'nodePort is required with nodeName' })
  @IsInt()
  @Min(1)
  @Max(65535)
  nodePort?: number;
}

export class IsolatedPlacementView extends PlacementView {
  @ApiProperty({ description: 'True when a rebalance keeps the tenant on this node and no other shard there' }) pinned: boolean;
}
