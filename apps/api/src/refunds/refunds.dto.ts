import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class CreateRefundDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 500, description: 'At most what is left to refund of the payment' })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amountCents: number;

  @ApiPropertyOptional({ maxLength: 500, example: 'Damaged on arrival' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RefundView {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ type: 'integer' }) paymentId: number;
  @ApiProperty({ type: 'integer' }) amountCents: number;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class RefundListView {
  @ApiProperty({ type: [RefundView] }) data: RefundView[];
}
